"""portcli's JSON Schemas, shipped in the wheel as the package portcli.schemas:
importlib.resources.files("portcli.schemas") / "measure.schema.json". The files are the data."""
