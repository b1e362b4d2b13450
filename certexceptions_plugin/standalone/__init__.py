"""
An embedded stand-in for edx-platform: just enough of the LMS for the plugin to run, be tried and be tested
on a machine with no LMS. Installed only by ``certexceptions_plugin.standalone.settings``, never in the LMS.
"""
