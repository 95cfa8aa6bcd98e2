"""Everything Rasa-side that is ours: the launcher, channels, widget and exports."""
