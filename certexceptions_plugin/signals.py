"""Receivers connected through ``plugin_app['signals_config']``."""
