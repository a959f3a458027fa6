"""Recording one URL in a started engine: the pipeline that drives the raw HTTP client (wire.py),
the DOM recorder with its page scripts and observer.js, and paint/ around one navigation;
failures.py words what went wrong. Out comes a Recording (streamscope/recording.py)."""
