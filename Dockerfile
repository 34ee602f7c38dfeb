# nnvvc service image: Node 20 app (API or worker, chosen by the command) + our codec built with CMake.
# VTM is never built here; mount its binaries and set VTM_ENCODER_APP / VTM_DECODER_APP if you want anchors.
FROM node:20-bookworm-slim AS codec
RUN apt-get update && apt-get install -y --no-install-recommends cmake g++ make && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY codec ./codec
RUN rm -rf codec/build && cmake -S codec -B codec/build -DCMAKE_BUILD_TYPE=Release \
 && cmake --build codec/build -j"$(nproc)" --target nnvvc-enc nnvvc-dec nnvvc-join nnvvc-feature

FROM node:20-bookworm-slim AS app
WORKDIR /app
COPY package.json package-lock.json ./
# tsx (a dev dependency) runs the TypeScript sources directly, so dev dependencies are installed too.
# ONNXRUNTIME_NODE_INSTALL=skip: no CUDA provider download (this image's npm predates package.json allowScripts).
RUN ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
COPY vtm ./vtm
COPY models ./models
COPY --from=codec /app/codec/build/nnvvc-enc /app/codec/build/nnvvc-dec /app/codec/build/nnvvc-join /app/codec/build/nnvvc-feature /app/codec/build/
ENV DATA_DIR=/data PORT=8080 HOST=0.0.0.0
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 8080
USER node
CMD ["node", "--import", "tsx", "src/main.ts", "api"]

# GPU worker (docker compose --profile gpu): the same app plus the Vulkan loader and the glvnd libraries that
# onnxruntime-node's bundled WebGPU execution provider (Dawn over Vulkan) needs; the NVIDIA container runtime
# mounts the driver and its Vulkan ICD file when the container asks for the graphics capability (see
# docker-compose.yml). NNVVC_ONNX_EP=auto picks webgpu when an adapter exists, else the CPU.
FROM app AS gpu
USER root
RUN apt-get update && apt-get install -y --no-install-recommends libvulkan1 libglvnd0 libegl1 libgl1 libglx0 \
      libopengl0 libgles2 && rm -rf /var/lib/apt/lists/*
USER node
ENV NNVVC_ONNX_EP=auto NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics

# the default image (docker build . / the compose services without a target): the CPU one
FROM app
