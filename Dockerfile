# A container for a model served by seldon-ts. Build from the repository root:
#   docker build -t my-model --build-arg MODEL=./examples/iris/IrisClassifier.ts#IrisClassifier .
# Deno comes from the npm registry, pinned to 2.9.3 (2.9.4–2.9.6 abort in node:http2 under gRPC).
FROM node:20-bookworm-slim AS build
RUN npm install -g deno@2.9.3
WORKDIR /app
COPY deno.json deno.lock ./
COPY main.ts mod.ts ./
COPY src ./src
COPY proto ./proto
COPY examples ./examples
# Fetch and cache every npm dependency at build time; nothing is downloaded at run time.
RUN deno install --frozen --entrypoint main.ts

FROM node:20-bookworm-slim
COPY --from=build /usr/local/lib/node_modules/deno/deno /usr/local/bin/deno
COPY --from=build /root/.cache/deno /root/.cache/deno
WORKDIR /app
COPY --from=build /app /app
ARG MODEL=./examples/iris/IrisClassifier.ts#IrisClassifier
ENV MODEL_NAME=${MODEL} \
    PREDICTIVE_UNIT_HTTP_SERVICE_PORT=9000 \
    PREDICTIVE_UNIT_GRPC_SERVICE_PORT=5000 \
    PREDICTIVE_UNIT_METRICS_SERVICE_PORT=6000
EXPOSE 9000 5000 6000
ENTRYPOINT ["sh", "-c", "exec deno run --unstable-net --cached-only -A /app/main.ts \"$MODEL_NAME\" \"$@\"", "--"]
