"""The neutral model -> target formats, one subpackage per format, and the files a run writes."""
