# cmake/BuildInfo.cmake outside a git checkout (a release tarball): it must still write the build's
# source, with commit and dirty "unknown", and a second run that changes nothing must leave the
# file untouched (so nothing recompiles).
#   cmake -DSCRIPT=cmake/BuildInfo.cmake -DWORK=DIR -P tests/support/check_build_info.cmake
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/tarball")
set(output "${WORK}/generated/build_info.cpp")
set(run_script ${CMAKE_COMMAND} -DSOURCE_DIR=${WORK}/tarball -DOUTPUT=${output} -DCOMPILER_ID=GNU
               -DCOMPILER_VERSION=1.2.3 "-DCOMPILE_FLAGS=-O2 -Wall" -DBUILD_TYPE=Release
               -DINSTRUCTION_SET=generic -P ${SCRIPT})
execute_process(COMMAND ${run_script} RESULT_VARIABLE failed)
if(failed OR NOT EXISTS "${output}")
  message(FATAL_ERROR "BuildInfo.cmake failed outside a git checkout (${failed})")
endif()
file(READ "${output}" text)
foreach(expected [[build.commit = R"ricci(unknown)ricci";]] [[build.dirty = R"ricci(unknown)ricci";]]
        [[build.diff_sha256 = R"ricci()ricci";]] [[build.compiler = R"ricci(GNU 1.2.3)ricci";]]
        [[build.compile_flags = R"ricci(-O2 -Wall)ricci";]])
  string(FIND "${text}" "${expected}" at)
  if(at LESS 0)
    message(FATAL_ERROR "${output} lacks '${expected}':\n${text}")
  endif()
endforeach()
file(TIMESTAMP "${output}" before "%s")
execute_process(COMMAND ${CMAKE_COMMAND} -E sleep 1.2)
execute_process(COMMAND ${run_script} RESULT_VARIABLE failed)
file(TIMESTAMP "${output}" after "%s")
if(failed OR NOT before STREQUAL after)
  message(FATAL_ERROR "an unchanged build rewrote ${output} (${before} -> ${after})")
endif()
