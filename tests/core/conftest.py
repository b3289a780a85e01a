def pytest_configure(config):
    # Registered here, beside the tests that use it, so `-m "not slow"` gives a quick run.
    config.addinivalue_line(
        "markers", "slow: starts a real server or loads the whole demo (tens of seconds)"
    )
