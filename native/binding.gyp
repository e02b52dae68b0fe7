{
  "targets": [
    {
      "target_name": "banhammer_nft",
      "sources": ["src/addon.cc", "src/context.cc", "src/worker.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
        "BANHAMMER_NFT_VERSION=\"<!(pkg-config --modversion libnftables 2>/dev/null || echo unknown)\""
      ],
      "cflags": ["-fvisibility=hidden", "-Wall", "-Wextra"],
      "cflags_cc": ["-fvisibility=hidden", "-fno-exceptions", "-Wall", "-Wextra"],
      "libraries": ["-lnftables"]
    },
    {
      "target_name": "banhammer_re2",
      "sources": ["src/re2/addon.cc", "src/re2/captures.cc", "src/re2/lane.cc", "src/re2/literal-set.cc", "src/re2/matcher.cc", "src/re2/program.cc", "src/re2/text.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
        "BANHAMMER_RE2_VERSION=\"<!(dpkg-query -W -f='${Version}' libre2-dev 2>/dev/null | sed 's/[+~].*//' | grep . || echo unknown)\""
      ],
      "cflags": ["-fvisibility=hidden", "-Wall", "-Wextra"],
      "cflags_cc": ["-fvisibility=hidden", "-fno-exceptions", "-Wall", "-Wextra"],
      "libraries": ["-lre2"],
      "conditions": [
        ["<!(pkg-config --exists libpcre2-8 && echo 1 || echo 0)==1", {
          "defines": ["BANHAMMER_PCRE2"],
          "libraries": ["-lpcre2-8"]
        }]
      ]
    }
  ]
}
