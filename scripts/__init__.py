"""Developer scripts; the Python ones can be imported as scripts.<name>."""
