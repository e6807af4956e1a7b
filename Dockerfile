# syntax=docker/dockerfile:1
# One `deno compile`d binary of the server and a model, in a minimal image (README "Deploy").
# BuildKit (the default builder since Docker 23). From this repository, the bundled iris model:
#   docker build -t seldon-ts-iris .
# A model folder next to this checkout (my-model/ imports ../seldon-ts/mod.ts), from the folder
# holding both:
#   docker build -f seldon-ts/Dockerfile --build-arg SERVER_DIR=seldon-ts \
#     --build-arg MODEL_DIR=my-model --build-arg MODEL_MODULE=MyModel.ts \
#     --build-arg MODEL_CLASS=MyModel -t my-model .
# The prepackaged ONNX server with its model file (run it with the arguments `OnnxServer`):
#   docker build --build-arg MODEL_DIR= --build-arg ONNX_FILE=examples/onnx/model.onnx -t onnx .
#
# Build arguments (paths are relative to the build context):
#   SERVER_DIR    this repository's folder (default: the context itself)
#   MODEL_DIR     the model's folder, bundled whole, at the same place relative to SERVER_DIR as
#                 in the context (so its imports of mod.ts resolve); empty: no user model
#   MODEL_MODULE  the model's module inside MODEL_DIR
#   MODEL_CLASS   the class it exports; the image's default interface name `Model` is it
#   ONNX_FILE     an .onnx file copied to /models/model.onnx (OnnxServer's model_uri); empty: none
#   DENORT_BIN    a `denort` binary of the same Deno version for linux x86_64, for builders that
#                 cannot download it from dl.deno.land; empty: `deno compile` downloads it
#   DENO_VERSION  pinned: 2.9.4–2.9.6 abort in node:http2 under gRPC
FROM node:20-bookworm-slim AS build
ARG DENO_VERSION=2.9.3
RUN npm install -g deno@${DENO_VERSION}
ARG SERVER_DIR=.
ARG MODEL_DIR=examples/iris
ARG MODEL_MODULE=IrisClassifier.ts
ARG MODEL_CLASS=IrisClassifier
ARG ONNX_FILE=
ARG DENORT_BIN=
# Everything comes from the build context through a bind mount, so that the model, the ONNX file
# and denort may each be absent. `Model.ts` (beside main.ts) re-exports the model's class.
RUN --mount=type=bind,target=/ctx \
    set -e; S="/build/$SERVER_DIR"; mkdir -p "$S" /out/models; cd "/ctx/$SERVER_DIR"; \
    cp -r deno.json deno.lock main.ts mod.ts src proto examples "$S/"; \
    if [ -n "$MODEL_DIR" ]; then \
      mkdir -p "/build/$MODEL_DIR"; cp -r "/ctx/$MODEL_DIR/." "/build/$MODEL_DIR/"; \
      REL=$(realpath --relative-to="$S" "/build/$MODEL_DIR/$MODEL_MODULE"); \
      printf 'export { %s as default } from "./%s";\n' "$MODEL_CLASS" "$REL" > "$S/Model.ts"; \
    else printf 'export {};\n' > "$S/Model.ts"; fi; \
    if [ -n "$ONNX_FILE" ]; then cp "/ctx/$ONNX_FILE" /out/models/model.onnx; fi; \
    if [ -n "$DENORT_BIN" ]; then cp "/ctx/$DENORT_BIN" /out/denort; chmod +x /out/denort; fi
# The compile task's bundled files (deno.json "compile": proto/, examples/iris/, the role modules
# main.ts imports by name) plus the model folder and Model.ts with its module graph (npm packages
# included). A model folder with its own deno.json is compiled with that configuration (the
# server's modules need no import map).
RUN set -e; cd "/build/$SERVER_DIR"; CONFIG=deno.json; \
    if [ -n "$MODEL_DIR" ] && [ -f "/build/$MODEL_DIR/deno.json" ]; then CONFIG="/build/$MODEL_DIR/deno.json"; fi; \
    if [ -f /out/denort ]; then export DENORT_BIN=/out/denort; fi; \
    INCLUDE_MODEL=""; if [ -n "$MODEL_DIR" ]; then INCLUDE_MODEL="--include /build/$MODEL_DIR"; fi; \
    deno compile --config "$CONFIG" --unstable-net -A --v8-flags=--expose-gc \
      --include proto --include examples/iris --include src/runtimes \
      --include src/roles --include src/supervisor/supervisor.ts $INCLUDE_MODEL --include Model.ts \
      -o /out/seldon-ts main.ts

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/seldon-ts /usr/local/bin/seldon-ts
COPY --from=build /out/models /models
USER nonroot
ENV PREDICTIVE_UNIT_HTTP_SERVICE_PORT=9000 \
    PREDICTIVE_UNIT_GRPC_SERVICE_PORT=5000 \
    PREDICTIVE_UNIT_METRICS_SERVICE_PORT=6000
EXPOSE 9000 5000 6000
ENTRYPOINT ["/usr/local/bin/seldon-ts"]
# `Model`: the generated Model.ts beside main.ts, whose default export is MODEL_CLASS. Give
# another interface name (e.g. `OnnxServer`) and flags as the container's arguments.
CMD ["Model"]
