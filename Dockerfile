# k2ecs as a container image, built from this checkout (never from a package index by name):
#
#   docker build -t k2ecs .
#   docker run --rm -v "$PWD:/work" -w /work k2ecs convert k8s/ -o ecs/ --check
#
# The base image is pinned to an exact Python release; pin it by digest too (FROM ...@sha256:...) where
# your registry policy asks for it. k2ecs's own dependencies are resolved by pip from pyproject.toml.
FROM python:3.12.8-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY converter ./converter
COPY schemas ./schemas
COPY templates ./templates
COPY docs/MAPPING.md ./docs/MAPPING.md
RUN python -m pip install --no-cache-dir --root-user-action=ignore --prefix=/install .

FROM python:3.12.8-slim-bookworm
COPY --from=build /install /usr/local
RUN useradd --create-home --uid 10001 k2ecs
USER k2ecs
WORKDIR /work
ENTRYPOINT ["k2ecs"]
CMD ["--help"]
