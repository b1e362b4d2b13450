"""
Fakes of the edx-platform modules that ``certexceptions_plugin.host.openedx`` imports, for the contract suite.

Two parts:

* this package is a test-only Django app (label ``openedx_fakes``, installed by ``tests.settings``) holding the
  fake LMS tables and their behaviour, with edx-platform's model, field and method names;
* ``edx_platform/`` is a directory of packages at edx-platform's real import paths (``lms``, ``common``,
  ``openedx``) that re-export those models and fake the LMS functions. It is put on ``sys.path`` only by the
  contract suite (``tests/contract/conftest.py``), so no other test can import ``lms`` or ``openedx`` by accident.

``modulestore.py`` holds the published courses (whether or not their overview row exists yet) and ``faults.py``
the failures a test plans for one learner; the contract suite clears both after every test.

``openedx_symbols.json`` holds the real names and parameters of the modules faked here (see its ``_provenance``);
``tests/contract/test_fakes_match_lms.py`` keeps the fakes and the adapter in line with it.
"""
import os

#: The directory to put on ``sys.path`` so that ``import lms`` and friends find the fakes.
EDX_PLATFORM_ROOT = os.path.join(os.path.dirname(__file__), "edx_platform")
