"""portcli: a tracker for the Tianjin port's 2022 cross-border trade facilitation plan."""

__version__ = "0.1.0"
