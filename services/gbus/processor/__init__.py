"""The case processor: reports and commands in, case events, snapshots and node copies out.

Data flow, one Kafka transaction per batch:

    reports / commands  ->  handlers (dedup, open/link, commands)  ->  staging (batch overlay)
        -> outputs (case-events, case-state, node.<area>, command-results.<area>, dead-letters)
        -> commit (records + consumed offsets)  ->  store.apply (local state follows Kafka)

Modules: `store` (SQLite state of owned shards), `staging` (uncommitted changes of a batch),
`handlers` (one record -> its effects), `outputs` and `fanout` (records to write),
`dedup_port` (the duplicate index as the processor needs it), `restore` (rebuild owned
shards from the compacted topics), `transactions` (the producer's lifecycle), `loop`
(consume -> process -> produce) and `bootstrap` (wiring from Settings).
"""
