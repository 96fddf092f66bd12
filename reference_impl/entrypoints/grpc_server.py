"""The gRPC server: every contract service registered, plus health and reflection.

Services without a servicer of their own answer UNIMPLEMENTED (the generated base classes do that),
so a client learns honestly what the reference does not do yet.
"""

from __future__ import annotations

from concurrent import futures

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from contracts.gen.profile.v1 import profile_pb2, profile_pb2_grpc
from contracts.gen.video.v1 import lifecycle_pb2, lifecycle_pb2_grpc, query_pb2, query_pb2_grpc, upload_pb2
from contracts.gen.video.v1 import upload_pb2_grpc
from psycopg_pool import ConnectionPool

from reference_impl.config import Settings
from reference_impl.adapters.clock import Clock
from reference_impl.adapters.gcs_signer import V4Signer
from reference_impl.entrypoints.lifecycle_servicer import LifecycleServicer
from reference_impl.entrypoints.query_servicer import QueryServicer
from reference_impl.entrypoints.profile_servicer import ProfileServicer
from reference_impl.entrypoints.upload_servicer import UploadServicer
from reference_impl.service_layer.profile import ProfileService, ProfileSettings

SERVICE_NAMES = (
    upload_pb2.DESCRIPTOR.services_by_name["UploadService"].full_name,
    query_pb2.DESCRIPTOR.services_by_name["CatalogQueryService"].full_name,
    lifecycle_pb2.DESCRIPTOR.services_by_name["CatalogLifecycleService"].full_name,
    profile_pb2.DESCRIPTOR.services_by_name["ProfileService"].full_name,
)


def create_server(
    settings: Settings,
    pool: ConnectionPool,
    signer: V4Signer | None = None,
    clock: Clock | None = None,
    *,
    max_workers: int = 16,
) -> tuple[grpc.Server, int, health.HealthServicer]:
    """Build the server bound to ``settings.host:settings.grpc_port`` (0 = a free port); not started."""
    # gRPC sets SO_REUSEPORT by default; only asked for, so a taken port is an error otherwise.
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="grpc"),
        options=[("grpc.so_reuseport", int(settings.reuse_port))],
    )
    clock = clock or Clock()
    upload_pb2_grpc.add_UploadServiceServicer_to_server(UploadServicer(settings, pool, signer, clock), server)
    query_pb2_grpc.add_CatalogQueryServiceServicer_to_server(QueryServicer(pool, settings), server)
    lifecycle_pb2_grpc.add_CatalogLifecycleServiceServicer_to_server(LifecycleServicer(pool, settings, clock), server)
    profile_pb2_grpc.add_ProfileServiceServicer_to_server(
        ProfileServicer(ProfileService(pool, ProfileSettings.from_settings(settings))), server
    )

    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    for name in (*SERVICE_NAMES, ""):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection((*SERVICE_NAMES, health.SERVICE_NAME, reflection.SERVICE_NAME), server)

    port = server.add_insecure_port(f"{settings.host}:{settings.grpc_port}")
    return server, port, health_servicer
