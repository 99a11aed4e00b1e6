# libFuzzer harnesses (tests/fuzz/, docs/fuzzing.md): -DRICCI_FUZZ=ON with clang only, in a build
# tree of its own (scripts/fuzz.sh uses build/fuzz). Every library is compiled with coverage
# instrumentation (fuzzer-no-link) and ASan + UBSan, so the parsers the harnesses drive are what
# guides the fuzzer and any memory error or undefined behaviour in them is a finding; only the
# harnesses link libFuzzer's main. UBSan does not recover: a report aborts, which libFuzzer records
# as a crash with its input.
if(NOT RICCI_FUZZ)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "RICCI_FUZZ=ON needs clang (libFuzzer): configure with CC=clang-14 CXX=clang++-14; "
                      "found ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER}")
endif()
if(RICCI_SANITIZE)
  message(FATAL_ERROR "RICCI_FUZZ=ON already builds with ASan + UBSan; leave RICCI_SANITIZE off")
endif()
if(NOT RICCI_WITH_MPI_HDF5)
  message(FATAL_ERROR "RICCI_FUZZ=ON needs RICCI_WITH_MPI_HDF5=ON: the job-file, activation and results harnesses use io and the apps")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                    -fno-sanitize-recover=undefined)
add_link_options(-fsanitize=address,undefined)
# clang's -Wconversion also turns on -Wsign-conversion, which GCC's does not; the project's warning
# policy is GCC's set, so the fuzz tree prints the same warnings as the other trees.
add_compile_options(-Wno-sign-conversion)

# All harnesses: scripts/fuzz.sh builds this target only, not the apps or the tests.
add_custom_target(ricci_fuzzers)

# ricci_add_fuzzer(NAME LIBS lib...): tests/fuzz/NAME.cpp, an executable linked with libFuzzer's main.
function(ricci_add_fuzzer name)
  cmake_parse_arguments(arg "" "" "LIBS" ${ARGN})
  add_executable(${name} ${CMAKE_CURRENT_SOURCE_DIR}/${name}.cpp)
  target_link_libraries(${name} PRIVATE ${arg_LIBS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  add_dependencies(ricci_fuzzers ${name})
endfunction()
