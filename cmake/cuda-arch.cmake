# CUDA architectures of libispasp_cuda: Ampere (sm_80) and Hopper (sm_90) SASS, plus compute_90 PTX so newer
# GPUs JIT it. Override with -DCMAKE_CUDA_ARCHITECTURES=... (e.g. "native" or "90-real").
if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES OR CMAKE_CUDA_ARCHITECTURES STREQUAL "")
  set(CMAKE_CUDA_ARCHITECTURES "80-real;90-real;90-virtual")
endif()
