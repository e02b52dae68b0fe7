#!/bin/sh
# Builds the addons from source during `npm ci` / `npm install` (the `install` script), against
# the Node headers npm is configured with; nothing is downloaded. It never fails the install:
# without the nftables addon banhammerd commits the same batches through `nft -f -` and says so at
# start-up, and without the RE2 addon the filters match through node-re2, so a missing
# libnftables-dev or libre2-dev costs speed, not function. Each addon is built on its own, so
# one that cannot be built never keeps the other from being built.
cd "$(dirname "$0")" || exit 0

has_header() {
  echo "#include <$1>" | "${CXX:-c++}" -x c++ -E - >/dev/null 2>&1
}
nft=""
re2=""
if has_header nftables/libnftables.h; then
  nft=banhammer_nft
else
  echo "banhammer: native nftables addon not built (no C++ compiler or no libnftables-dev); banhammerd will use the nft command."
fi
if has_header re2/re2.h; then
  re2=banhammer_re2
else
  echo "banhammer: native RE2 addon not built (no C++ compiler or no libre2-dev); filters will use node-re2."
fi
if [ -z "$nft$re2" ]; then
  rm -rf build  # what an earlier build left would not match this system any more
  exit 0
fi

# npm puts its node-gyp on PATH for lifecycle scripts and passes its nodedir setting along.
# node-gyp's own log goes to build.log (clean empties build/), so a failure is one line here.
gyp=$(command -v node-gyp || echo ../node_modules/.bin/node-gyp)
if ! { "$gyp" clean && "$gyp" configure; } >build.log 2>&1; then
  [ -z "$nft" ] || echo "banhammer: native nftables addon failed to build (see native/build.log); banhammerd will use the nft command."
  [ -z "$re2" ] || echo "banhammer: native RE2 addon failed to build (see native/build.log); filters will use node-re2."
  exit 0
fi
if [ -n "$nft" ]; then
  if "$gyp" build "$nft" >>build.log 2>&1; then
    echo "banhammer: built the native nftables addon (native/build/Release/banhammer_nft.node)."
  else
    echo "banhammer: native nftables addon failed to build (see native/build.log); banhammerd will use the nft command."
  fi
fi
if [ -n "$re2" ]; then
  if "$gyp" build "$re2" >>build.log 2>&1; then
    echo "banhammer: built the native RE2 addon (native/build/Release/banhammer_re2.node)."
  else
    echo "banhammer: native RE2 addon failed to build (see native/build.log); filters will use node-re2."
  fi
fi
exit 0
