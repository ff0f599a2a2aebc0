"""MLMD's gRPC MetadataStoreService, served by the real ml-metadata library (its C++ store, SQLite backend).

Every RPC of the service (read from the wheel's descriptor, so none is re-implemented) is forwarded as serialized
bytes to the library's pybind11 binding of the same name, the call ml_metadata.MetadataStore itself makes with a
database connection; the library's status code becomes the gRPC status (both are absl/gRPC codes). The wheel binds
all but three RPCs (GetLineageGraph, GetParentContextsByContexts, GetChildrenContextsByContexts, which neither KFP's
driver/launcher nor the editor calls): those answer UNIMPLEMENTED, saying so.

  python server.py --db <file.sqlite> [--host 127.0.0.1] [--port 0]
prints `listening <port>` once it accepts connections; ends on SIGTERM/SIGINT or when stdin closes (the rig's
lifeline, so a test process that dies does not leave it running).
"""
import argparse
import signal
import sys
import threading
from concurrent import futures

import grpc
from ml_metadata.metadata_store.pywrap.metadata_store_extension import metadata_store as serialized
from ml_metadata.proto import metadata_store_pb2, metadata_store_service_pb2

SERVICE = metadata_store_service_pb2.DESCRIPTOR.services_by_name['MetadataStoreService']
CODES = {c.value[0]: c for c in grpc.StatusCode}


def open_store(db: str):
    config = metadata_store_pb2.ConnectionConfig()
    config.sqlite.filename_uri = db
    config.sqlite.connection_mode = metadata_store_pb2.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    migration = metadata_store_pb2.MigrationOptions()
    migration.enable_upgrade_migration = True
    return serialized.CreateMetadataStore(config.SerializeToString(), migration.SerializeToString())


def handler(store, lock: threading.Lock, name: str):
    method = getattr(serialized, name, None)
    if method is None:
        def unbound(_request: bytes, context: grpc.ServicerContext) -> bytes:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, f'{name}: the ml-metadata Python library has no binding for it')
        return grpc.unary_unary_rpc_method_handler(unbound)

    def call(request: bytes, context: grpc.ServicerContext) -> bytes:
        with lock:  # one SQLite connection: the library's calls run one at a time
            response, message, code = method(store, request)
        if code != 0:
            context.abort(CODES.get(code, grpc.StatusCode.UNKNOWN), message.decode('utf-8', 'replace'))
        return response

    return grpc.unary_unary_rpc_method_handler(call)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('--db', required=True)
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--port', type=int, default=0)
    a = ap.parse_args()
    store = open_store(a.db)
    lock = threading.Lock()
    handlers = {m.name: handler(store, lock, m.name) for m in SERVICE.methods}
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), options=[
        ('grpc.max_receive_message_length', 100 * 1024 * 1024),
        ('grpc.max_send_message_length', 100 * 1024 * 1024),
    ])
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE.full_name, handlers),))
    port = server.add_insecure_port(f'{a.host}:{a.port}')
    server.start()
    print(f'listening {port}', flush=True)

    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())

    def lifeline() -> None:
        sys.stdin.read()
        done.set()

    threading.Thread(target=lifeline, daemon=True).start()
    done.wait()
    server.stop(grace=1).wait()


if __name__ == '__main__':
    main()
