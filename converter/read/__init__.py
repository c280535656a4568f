"""Source formats -> the neutral model, one subpackage per format, every field through core.reader."""
