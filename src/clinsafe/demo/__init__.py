"""The demo: a year of a real team's clinical risk management, loaded through the same
services as real work, one module per story (`clinsafe seed-demo`)."""
