"""The pytest plugin (pytest_plugin.py, the pytest11 entry point), its assertions, each recording
in pytest-html (html_extras.py) and in JUnit XML (junit_properties.py)."""
