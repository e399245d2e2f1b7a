"""The agency directory: central bodies, 34 provinces and 3,321 communes, each with its roles.

Pure logic: reads package data files, imports no grpc/kafka. `Directory.default()`
is the one most callers want.
"""

from gbus.directory.directory import Directory, listing_key
from gbus.directory.model import Agency, Province, Ward
from gbus.directory.yaml_io import DataFileError

__all__ = ["Agency", "DataFileError", "Directory", "Province", "Ward", "listing_key"]
