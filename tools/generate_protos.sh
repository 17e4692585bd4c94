#!/bin/sh
# Regenerates the Swift code of every model format's protobuf schema: each Sources/Inference/Formats/*/*.proto
# becomes the .pb.swift beside it. The generated files are checked in (builds and CI do not run this script);
# run it after editing a .proto.
#
# Needs:
#   - protoc (Debian: apt-get install protobuf-compiler)
#   - protoc-gen-swift of the swift-protobuf version in Package.resolved, given as $PROTOC_GEN_SWIFT or found
#     on PATH. To build it:
#       git clone --branch <version> https://github.com/apple/swift-protobuf.git   # or a local mirror
#       cd swift-protobuf && swift build -c release --product protoc-gen-swift
#     and use .build/release/protoc-gen-swift.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)

plugin=${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift || true)}
if [ -z "$plugin" ] || [ ! -x "$plugin" ]; then
    echo "protoc-gen-swift not found: set PROTOC_GEN_SWIFT or put it on PATH (see this script's comment)" >&2
    exit 1
fi
command -v protoc >/dev/null || { echo "protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }

for proto in "$repo"/Sources/Inference/Formats/*/*.proto; do
    dir=$(dirname "$proto")
    # Internal visibility: the generated message types are the loaders' business, not the Inference API.
    protoc --plugin=protoc-gen-swift="$plugin" \
        --proto_path="$dir" \
        --swift_out="$dir" \
        --swift_opt=Visibility=Internal \
        "$proto"
    echo "wrote ${proto%.proto}.pb.swift"
done
