"""`python -m lgtmgen`: the same command line as the `lgtmgen` script (a checkout on PYTHONPATH,
a CI image without the script on PATH)."""

from lgtmgen.cli import main

main()
