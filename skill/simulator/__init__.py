"""A terminal stand-in for an Echo: typed text becomes real Alexa request envelopes."""
