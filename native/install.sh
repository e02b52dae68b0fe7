#!/bin/sh
# Builds the addon from source during `npm ci` / `npm install` (the `install` script), against
# the Node headers npm is configured with; nothing is downloaded. It never fails the install:
# without the addon banhammerd commits the same batches through `nft -f -` and says so at
# start-up, so a missing libnftables-dev costs speed, not function.
cd "$(dirname "$0")" || exit 0

if ! echo '#include <nftables/libnftables.h>' | "${CXX:-c++}" -x c++ -E - >/dev/null 2>&1; then
  echo "banhammer: native nftables addon not built (no C++ compiler or no libnftables-dev); banhammerd will use the nft command."
  exit 0
fi
# npm puts its node-gyp on PATH for lifecycle scripts and passes its nodedir setting along.
# node-gyp's own log goes to build.log (rebuild empties build/), so a failure is one line here.
gyp=$(command -v node-gyp || echo ../node_modules/.bin/node-gyp)
if "$gyp" rebuild >build.log 2>&1; then
  echo "banhammer: built the native nftables addon (native/build/Release/banhammer_nft.node)."
else
  echo "banhammer: native nftables addon failed to build (see native/build.log); banhammerd will use the nft command."
fi
exit 0
