"""clinsafe: clinical risk management for health IT (DCB0129 / DCB0160)."""

__version__ = "0.1.0"
