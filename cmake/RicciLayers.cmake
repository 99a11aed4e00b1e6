# The layering, and the include roots that make the compiler enforce it.
#
#   core -> data -> nn -> geometry -> io -> analysis, sweep -> apps
#
# A layer may include and link itself and the layers below it; analysis and sweep are siblings
# above io and see neither each other; the apps see everything. This table is the one statement of
# the rule: the include roots below, the link check (ricci_check_layer_links), the compile tests
# (cmake/CheckLayerCompile.cmake) and the source check (cmake/check_layers.py) all read it.
set(RICCI_LAYERS core data nn geometry io analysis sweep)
set(RICCI_ENGINE_LAYERS core data nn geometry)
set(RICCI_LAYER_SEES_core core)
set(RICCI_LAYER_SEES_data core data)
set(RICCI_LAYER_SEES_nn core data nn)
set(RICCI_LAYER_SEES_geometry core data nn geometry)
set(RICCI_LAYER_SEES_io core data nn geometry io)
set(RICCI_LAYER_SEES_analysis core data nn geometry io analysis)
set(RICCI_LAYER_SEES_sweep core data nn geometry io sweep)
set(RICCI_LAYER_SEES_apps ${RICCI_LAYERS})

# Why per-layer include roots. The headers stay where they are (include/ricci/<layer>/), but no
# target is given include/ itself, which would let geometry include ricci/io/... . Instead, each
# layer L gets a root in the build tree,
#
#   ${PROJECT_BINARY_DIR}/layer-include/L/ricci/<M> -> ${PROJECT_SOURCE_DIR}/include/ricci/<M>
#
# with one symbolic link per layer M that L may see, and nothing else. The links point at the
# folders, not the files, so a header added to (or renamed in) include/ricci/<M>/ is visible at
# once without re-running CMake; only a new layer needs a row in the table above.
#
# Target ricci_L puts its root on its PUBLIC include path. Usage requirements only flow from a
# linked library up to the target linking it, so a target sees its own root plus the roots of the
# libraries it links, and those, being lower, are subsets of its own: ricci_io sees io's root and
# (through its PUBLIC link) geometry's, but geometry can never see io's, because geometry does not
# link io. That holds as long as a layer links only lower layers, which ricci_check_layer_links
# checks at configure time. An upward #include therefore fails with "No such file or directory";
# the tests labelled "build" prove it for every layer target.
#
# A quoted include is also looked up next to the including file, and "../io/x.hpp" from inside a
# linked folder resolves through the link to the real include/ricci/: the source check rejects
# "../" in include/ and src/ for that reason.
# Removes a link itself (never what it points to), or a real folder left in the build tree.
function(_ricci_remove_link path)
  if(IS_SYMLINK ${path})
    file(REMOVE ${path})
  elseif(EXISTS ${path})
    file(REMOVE_RECURSE ${path})
  endif()
endfunction()

function(ricci_layer_include_root layer out_var)
  if(NOT DEFINED RICCI_LAYER_SEES_${layer})
    message(FATAL_ERROR "ricci_layer_include_root: '${layer}' is not a layer in cmake/RicciLayers.cmake")
  endif()
  set(root ${PROJECT_BINARY_DIR}/layer-include/${layer})
  file(MAKE_DIRECTORY ${root}/ricci)
  # Drop what an older table left behind, then (re)create the links that are missing or wrong.
  file(GLOB present LIST_DIRECTORIES true RELATIVE ${root}/ricci ${root}/ricci/*)
  foreach(entry IN LISTS present)
    if(NOT entry IN_LIST RICCI_LAYER_SEES_${layer})
      _ricci_remove_link(${root}/ricci/${entry})
    endif()
  endforeach()
  foreach(seen IN LISTS RICCI_LAYER_SEES_${layer})
    set(link ${root}/ricci/${seen})
    set(dest ${PROJECT_SOURCE_DIR}/include/ricci/${seen})
    set(current "")
    if(IS_SYMLINK ${link})
      file(READ_SYMLINK ${link} current)
    endif()
    if(NOT current STREQUAL dest)
      _ricci_remove_link(${link})
      file(CREATE_LINK ${dest} ${link} SYMBOLIC)
    endif()
  endforeach()
  set(${out_var} ${root} PARENT_SCOPE)
endfunction()

# Gives ricci_<layer> (or, with TARGET, another target such as an app library) the layer's root:
# PUBLIC for a compiled library, INTERFACE for an interface one. Installed, the headers all sit
# under one include/ (only the engine layers are installed; see src/CMakeLists.txt).
function(ricci_layer_includes layer)
  cmake_parse_arguments(arg "" "TARGET" "" ${ARGN})
  if(NOT arg_TARGET)
    set(arg_TARGET ricci_${layer})
  endif()
  ricci_layer_include_root(${layer} root)
  get_target_property(type ${arg_TARGET} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    set(scope INTERFACE)
  else()
    set(scope PUBLIC)
  endif()
  target_include_directories(${arg_TARGET} ${scope} $<BUILD_INTERFACE:${root}>
                             $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
endfunction()

# A layer library may link only the layers it sees; linking a higher one would also hand it that
# layer's include root. Called once all layer targets exist.
function(ricci_check_layer_links)
  foreach(layer IN LISTS RICCI_LAYERS)
    if(NOT TARGET ricci_${layer})
      continue()
    endif()
    get_target_property(type ricci_${layer} TYPE)
    if(type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(libs ricci_${layer} INTERFACE_LINK_LIBRARIES)
    else()
      get_target_property(libs ricci_${layer} LINK_LIBRARIES)
    endif()
    foreach(lib IN LISTS libs)
      foreach(other IN LISTS RICCI_LAYERS)
        if(lib STREQUAL "ricci_${other}" AND NOT other IN_LIST RICCI_LAYER_SEES_${layer})
          message(FATAL_ERROR "ricci_${layer} links ricci_${other}, a layer it may not use "
                              "(cmake/RicciLayers.cmake)")
        endif()
      endforeach()
    endforeach()
  endforeach()
endfunction()
