#!/bin/sh
# The BoGo runner execs the shim directly (no shell, no interpreter): run the compiled shim with Node.
exec node --no-warnings "$(dirname "$0")/../../dist/test/bogo/shim.js" "$@"
