# The engine (core, data, nn, geometry) is installed and exported as ricci::core, ricci::data,
# ricci::nn and ricci::geometry (the same names work in this tree, as aliases), so another CMake
# project can, after cmake --install,
#
#   find_package(ricci_sweep REQUIRED COMPONENTS geometry)
#   target_link_libraries(app PRIVATE ricci::geometry)
#
# or point ricci_sweep_DIR at this build tree, which exports the same targets. Installed, the
# headers sit under one include/ricci/; only the engine's headers are installed. For a shared
# library or a Python module on top, configure with -DCMAKE_POSITION_INDEPENDENT_CODE=ON.
foreach(layer IN LISTS RICCI_ENGINE_LAYERS)
  add_library(ricci::${layer} ALIAS ricci_${layer})
  set_target_properties(ricci_${layer} PROPERTIES EXPORT_NAME ${layer})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ricci/${layer}
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ricci FILES_MATCHING PATTERN "*.hpp")
endforeach()
list(TRANSFORM RICCI_ENGINE_LAYERS PREPEND ricci_ OUTPUT_VARIABLE ricci_engine_targets)
install(TARGETS ${ricci_engine_targets} EXPORT ricci_sweepTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})

set(ricci_config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/ricci_sweep)
install(EXPORT ricci_sweepTargets NAMESPACE ricci:: DESTINATION ${ricci_config_dir})
export(EXPORT ricci_sweepTargets NAMESPACE ricci:: FILE ${PROJECT_BINARY_DIR}/ricci_sweepTargets.cmake)
include(CMakePackageConfigHelpers)
configure_file(${PROJECT_SOURCE_DIR}/cmake/ricci_sweepConfig.cmake.in
               ${PROJECT_BINARY_DIR}/ricci_sweepConfig.cmake @ONLY)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ricci_sweepConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ricci_sweepConfig.cmake
              ${PROJECT_BINARY_DIR}/ricci_sweepConfigVersion.cmake
        DESTINATION ${ricci_config_dir})
