# nnvvc service image: Node 20 app (API or worker, chosen by the command) + our codec built with CMake.
# VTM is never built here; mount its binaries and set VTM_ENCODER_APP / VTM_DECODER_APP if you want anchors.
FROM node:20-bookworm-slim AS codec
RUN apt-get update && apt-get install -y --no-install-recommends cmake g++ make && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY codec ./codec
RUN rm -rf codec/build && cmake -S codec -B codec/build -DCMAKE_BUILD_TYPE=Release \
 && cmake --build codec/build -j"$(nproc)" --target nnvvc-enc nnvvc-dec

FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# tsx (a dev dependency) runs the TypeScript sources directly, so dev dependencies are installed too.
# ONNXRUNTIME_NODE_INSTALL=skip: no CUDA provider download (this image's npm predates package.json allowScripts).
RUN ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
COPY vtm ./vtm
COPY models ./models
COPY --from=codec /app/codec/build/nnvvc-enc /app/codec/build/nnvvc-dec /app/codec/build/
ENV DATA_DIR=/data PORT=8080 HOST=0.0.0.0
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 8080
USER node
CMD ["node", "--import", "tsx", "src/main.ts", "api"]
