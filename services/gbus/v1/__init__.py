"""Generated from protos/gbus/v1 by gbus.devtools.protogen. Do not edit."""
