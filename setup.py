"""Package metadata for certexceptions_plugin."""
import os
import re

from setuptools import find_packages, setup

HERE = os.path.dirname(__file__)


def get_version(*file_paths):
    """Read ``__version__`` from a source file without importing the package."""
    with open(os.path.join(HERE, *file_paths), encoding="utf8") as version_file:
        match = re.search(r"^__version__ = ['\"]([^'\"]*)['\"]", version_file.read(), re.M)
    if match:
        return match.group(1)
    raise RuntimeError("Unable to find version string.")


def load_requirements(*requirements_paths):
    """
    Load requirements from ``.in`` files, applying version limits from local ``-c`` constraint files.
    """
    requirements = {}
    constraint_files = set()
    # name, version specifier, environment marker ("; python_version < '3.12'")
    requirement_line = re.compile(r"^([\w.\-\[\],]+)\s*([<>=!~][^#;\s]*)?\s*(;[^#]*)?")

    def is_requirement(line):
        return line.strip() and not line.startswith(("-r", "#", "-e", "git+", "-c"))

    for path in requirements_paths:
        with open(os.path.join(HERE, path), encoding="utf8") as reqs:
            for line in reqs:
                if is_requirement(line):
                    name, version, _ = requirement_line.match(line.strip()).groups()
                    requirements[name.split("[")[0].lower()] = (name, version or "")
                elif line.startswith("-c") and not line.startswith("-c http"):
                    constraint_files.add(os.path.join(os.path.dirname(path), line[2:].split("#")[0].strip()))
    for constraint_file in constraint_files:
        with open(os.path.join(HERE, constraint_file), encoding="utf8") as reader:
            for line in reader:
                if is_requirement(line):
                    name, version, marker = requirement_line.match(line.strip()).groups()
                    key = name.lower()
                    if key in requirements and version:
                        requirements[key] = (requirements[key][0], version + (marker or "").rstrip())
    return [f"{name}{version}" for name, version in sorted(requirements.values())]


with open(os.path.join(HERE, "README.rst"), encoding="utf8") as f:
    README = f.read()
with open(os.path.join(HERE, "CHANGELOG.rst"), encoding="utf8") as f:
    CHANGELOG = f.read()

setup(
    name="certexceptions-plugin",
    version=get_version("certexceptions_plugin", "__init__.py"),
    description="Open edX LMS plugin: bulk certificate exceptions, external-id bulk invites and course join codes.",
    long_description=README + "\n\n" + CHANGELOG,
    long_description_content_type="text/x-rst",
    author="Open edX Project",
    author_email="oscm@openedx.org",
    url="https://github.com/openedx/certexceptions-plugin",
    packages=find_packages(include=["certexceptions_plugin", "certexceptions_plugin.*"]),
    include_package_data=True,
    install_requires=load_requirements("requirements/base.in"),
    # The standalone host (demo): `pip install certexceptions-plugin[standalone]`.
    extras_require={"standalone": load_requirements("requirements/standalone.in")},
    python_requires=">=3.11",
    license="AGPL-3.0-or-later",
    zip_safe=False,
    keywords="Python edx openedx plugin certificates",
    entry_points={
        "lms.djangoapp": [
            "certexceptions_plugin = certexceptions_plugin.apps:CertExceptionsPluginConfig",
        ],
    },
    classifiers=[
        "Development Status :: 3 - Alpha",
        "Framework :: Django",
        "Framework :: Django :: 5.2",
        "Intended Audience :: Developers",
        "Natural Language :: English",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
    ],
)
