"""A Tutor plugin that installs certexceptions_plugin in the Open edX LMS and configures it."""

__version__ = "0.1.0"
