# -march=native, minus what this compiler gets wrong on this machine.
#
# GCC 12.2 (Debian 12's compiler) emits wrong code with AVX-512 enabled (-march=native on AVX-512
# machines, x86-64-v4): `std::vector<int64_t> v{2, 2, 0, 0}` is stored as {2, 2, 2, 2} by a single
# vpbroadcastq. Wrong numbers are worse than slow ones, so the probe below compiles and runs that exact
# pattern with the native flags and, when it fails, keeps AVX2/FMA but turns AVX-512 off.
include(CheckCXXSourceRuns)

function(ricci_native_flags out_var)
  set(probe [=[
    #include <cstdint>
    #include <vector>
    // noinline keeps the vector in memory: folded element checks would hide the bad store.
    __attribute__((noinline)) std::int64_t digits(const std::vector<std::int64_t>& v) {
      std::int64_t out = 0;
      for (std::int64_t x : v) out = out * 10 + x;
      return out;
    }
    int main() {
      const std::vector<std::int64_t> v{2, 2, 0, 0};
      return digits(v) == 2200 ? 0 : 1;
    }
  ]=])
  set(CMAKE_REQUIRED_FLAGS "-O2 -march=native")
  check_cxx_source_runs("${probe}" RICCI_NATIVE_CODEGEN_OK)
  if(RICCI_NATIVE_CODEGEN_OK)
    set(${out_var} "-march=native" PARENT_SCOPE)
    return()
  endif()
  set(CMAKE_REQUIRED_FLAGS "-O2 -march=native -mno-avx512f")
  check_cxx_source_runs("${probe}" RICCI_NATIVE_NO_AVX512_CODEGEN_OK)
  if(RICCI_NATIVE_NO_AVX512_CODEGEN_OK)
    message(WARNING "${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION} miscompiles with -march=native "
                    "(AVX-512) on this machine; building with -march=native -mno-avx512f instead")
    set(${out_var} "-march=native;-mno-avx512f" PARENT_SCOPE)
    return()
  endif()
  message(WARNING "-march=native produces wrong code on this machine; building for the generic x86-64 target")
  set(${out_var} "" PARENT_SCOPE)
endfunction()
