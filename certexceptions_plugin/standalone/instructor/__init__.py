"""
A stand-in for the LMS's instructor app (``lms.djangoapps.instructor``): it serves every route of core's
instructor API v2, so that a plugin route shadowed by core, or shadowing core, shows up on the standalone host.
"""
