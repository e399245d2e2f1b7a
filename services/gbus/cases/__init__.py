"""Case work: what happens to a case when a report arrives or a command is given.

Pure decision logic: given the current state, return the new state and the
events. The case processor (gbus.processor) does the I/O around it.
"""
