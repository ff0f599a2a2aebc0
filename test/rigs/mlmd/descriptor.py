"""Writes the FileDescriptorSet of ml_metadata's MetadataStoreService (and every file it imports) to argv[1].

The ml-metadata wheel ships no .proto files, only the generated modules with their serialized descriptors; this is
the same schema, in the binary form @grpc/proto-loader's loadFileDescriptorSetFromBuffer reads.
"""
import sys

from google.protobuf import descriptor_pb2
from ml_metadata.proto import metadata_store_service_pb2


def main(out: str) -> None:
    files = descriptor_pb2.FileDescriptorSet()
    seen = set()

    def add(fd) -> None:
        if fd.name in seen:
            return
        seen.add(fd.name)
        for dep in fd.dependencies:
            add(dep)
        fd.CopyToProto(files.file.add())

    add(metadata_store_service_pb2.DESCRIPTOR)
    with open(out, 'wb') as f:
        f.write(files.SerializeToString())


if __name__ == '__main__':
    main(sys.argv[1])
