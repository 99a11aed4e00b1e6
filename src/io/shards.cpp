#include "ricci/io/shards.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "h5.hpp"
#include "results_shapes.hpp"
#include "ricci/io/run_status.hpp"
#include "ricci/io/schema.hpp"

namespace ricci::io {

std::string shard_text(const Shard& shard) {
  return std::to_string(shard.index) + "/" + std::to_string(shard.count);
}

std::optional<Shard> parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto whole_number = [](std::string_view digits, int& value) {
    if (digits.empty() ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return false;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return error == std::errc() && end == digits.data() + digits.size();
  };
  Shard shard;
  if (!whole_number(text.substr(0, slash), shard.index) ||
      !whole_number(text.substr(slash + 1), shard.count) || shard.index < 1 ||
      shard.index > shard.count)
    return std::nullopt;
  return shard;
}

namespace {

// The root attributes every shard of one sweep shares: the job, its data and the file's layout.
constexpr std::string_view same_text_attributes[] = {
    "job_without_paths", "data_identity", "reanalysis_of", "graph", "notions", "layer_list"};
constexpr std::string_view same_integer_attributes[] = {"schema_version", "store_activations",
                                                        "store_nodes", "local"};

struct ShardFile {
  std::string path;
  h5::File file;
  Shard shard;
  int version = 0;
  std::vector<std::int8_t> status;
};

ShardFile open_shard(const std::string& path) {
  ShardFile s;
  s.path = path;
  s.file = h5::open_existing(path, H5F_ACC_RDONLY);
  const hid_t root = s.file.get();
  s.version = shapes::readable_version(root, path);
  const std::string text = h5::string_attribute(root, "shard").value_or("");
  const auto shard = parse_shard(text);
  if (!shard)
    throw Error("io", "'" + path + "' is not a shard of a sweep (its attribute shard is '" + text +
                          "'; ricci-sweep --shard i/n writes shards)");
  s.shard = *shard;
  const hsize_t runs = shapes::dimension_of(root, path, std::string(status_column), 0, 1);
  s.status = shapes::read_column<std::int8_t>(root, path, std::string(status_column),
                                              H5T_NATIVE_INT8, {runs});
  return s;
}

// The rows a shard wrote, which the merge carries: done, failed, and running — a run lost with its
// process, which a --resume of the merged file then reports and re-runs like any lost run.
bool written(std::int8_t code) {
  const auto status = run_status_from_code(code);
  return status == RunStatus::done || status == RunStatus::failed || status == RunStatus::running;
}

// An Error unless `shard` is of the same sweep as `first`: the same job, data, layout and shard
// count.
void require_same_sweep(const ShardFile& first, const ShardFile& shard) {
  const auto differs = [&](std::string_view name, const std::string& theirs,
                           const std::string& ours) {
    return Error("io", "'" + shard.path + "' is not a shard of the same sweep as '" + first.path +
                           "': its " + std::string(name) + " is '" + ours + "', not '" + theirs +
                           "'");
  };
  const auto shorten = [](std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text.size() > 60 ? text.substr(0, 60) + "..." : text;
  };
  for (std::string_view name : same_text_attributes) {
    const std::string here = h5::string_attribute(first.file.get(), std::string(name)).value_or("");
    const std::string there =
        h5::string_attribute(shard.file.get(), std::string(name)).value_or("");
    if (here != there) {
      // The job texts differ in a line: name it instead of printing both jobs.
      std::string a = here, b = there;
      std::size_t line_start = 0;
      for (std::size_t i = 0; i < std::min(a.size(), b.size()) && a[i] == b[i]; ++i)
        if (a[i] == '\n') line_start = i + 1;
      throw differs(name, shorten(a.substr(line_start, a.find('\n', line_start) - line_start)),
                    shorten(b.substr(line_start, b.find('\n', line_start) - line_start)));
    }
  }
  for (std::string_view name : same_integer_attributes) {
    const auto here = h5::integer_attribute(first.file.get(), std::string(name)).value_or(0);
    const auto there = h5::integer_attribute(shard.file.get(), std::string(name)).value_or(0);
    if (here != there) throw differs(name, std::to_string(here), std::to_string(there));
  }
  if (shard.shard.count != first.shard.count)
    throw Error("io", "'" + shard.path + "' is shard " + shard_text(shard.shard) + " but '" +
                          first.path + "' is shard " + shard_text(first.shard) +
                          ": the shards of one sweep share their count");
  if (shard.status.size() != first.status.size())
    throw Error("io", "'" + shard.path + "' holds " + std::to_string(shard.status.size()) +
                          " runs but '" + first.path + "' holds " +
                          std::to_string(first.status.size()));
}

h5::Dataspace block_space(const std::vector<hsize_t>& dims, hsize_t rows) {
  std::vector<hsize_t> count = dims;
  count.front() = rows;
  return h5::Dataspace(
      h5::checked(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr),
                  "cannot create a memory dataspace"));
}

// Selects rows [first, first + rows) of `dataset`'s space.
h5::Dataspace select_rows(hid_t dataset, const std::vector<hsize_t>& dims, hsize_t first,
                          hsize_t rows) {
  h5::Dataspace space(h5::checked(H5Dget_space(dataset), "cannot read a dataset's shape"));
  std::vector<hsize_t> start(dims.size(), 0), count = dims;
  start.front() = first;
  count.front() = rows;
  h5::checked(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                                  nullptr),
              "cannot select rows");
  return space;
}

// Copies the rows `source[row]` names (an index into `shards`, or -1: keep the output's) of one
// column, a block of rows at a time, byte for byte in the stored type.
void copy_column(const std::string& path, hid_t output, const std::string& output_path,
                 const std::vector<ShardFile>& shards, const std::vector<int>& source) {
  const h5::Dataset target(
      h5::checked(H5Dopen2(output, path.c_str(), H5P_DEFAULT), "cannot open " + path));
  const auto shape = shapes::existing_shape(output, output_path, path);
  const std::vector<hsize_t>& dims = shape.dims;
  const h5::Datatype type(
      h5::checked(H5Dget_type(target.get()), "cannot read the type of " + path));
  std::size_t row_bytes = H5Tget_size(type.get());
  for (std::size_t a = 1; a < dims.size(); ++a) row_bytes *= static_cast<std::size_t>(dims[a]);
  // Every registry column has one row per run (schema.hpp); one that had not could not be merged
  // row by row, and must not be skipped silently.
  if (dims.empty() || dims.front() != source.size())
    throw Error("io",
                "'" + output_path + "': " + path + " has no row per run; it cannot be merged");
  if (row_bytes == 0) return;
  std::vector<std::optional<h5::Dataset>> from(shards.size());
  for (std::size_t s = 0; s < shards.size(); ++s) {
    const auto theirs = shapes::existing_shape(shards[s].file.get(), shards[s].path, path);
    if (theirs.dims != dims || theirs.type_size != shape.type_size ||
        theirs.type_class != shape.type_class)
      throw Error("io", "'" + shards[s].path + "': " + path + " has the shape " +
                            shapes::dims_text(theirs.dims) + " but the merged file's is " +
                            shapes::dims_text(dims));
  }
  // About 16 MiB of rows per block, at least one.
  const std::size_t block = std::max<std::size_t>(1, (std::size_t{16} << 20) / row_bytes);
  std::vector<unsigned char> merged, theirs;
  for (std::size_t first = 0; first < source.size(); first += block) {
    const std::size_t rows = std::min(block, source.size() - first);
    std::vector<bool> wanted(shards.size(), false);
    bool any = false;
    for (std::size_t r = first; r < first + rows; ++r)
      if (source[r] >= 0) wanted[static_cast<std::size_t>(source[r])] = any = true;
    if (!any) continue;
    merged.resize(rows * row_bytes);
    theirs.resize(rows * row_bytes);
    const auto memory = block_space(dims, rows);
    const auto rows_here = select_rows(target.get(), dims, first, rows);
    h5::checked(H5Dread(target.get(), type.get(), memory.get(), rows_here.get(), H5P_DEFAULT,
                        merged.data()),
                "cannot read " + path + " of '" + output_path + "'");
    for (std::size_t s = 0; s < shards.size(); ++s) {
      if (!wanted[s]) continue;
      if (!from[s])
        from[s].emplace(h5::checked(H5Dopen2(shards[s].file.get(), path.c_str(), H5P_DEFAULT),
                                    "cannot open " + path + " of '" + shards[s].path + "'"));
      const auto rows_there = select_rows(from[s]->get(), dims, first, rows);
      h5::checked(H5Dread(from[s]->get(), type.get(), memory.get(), rows_there.get(), H5P_DEFAULT,
                          theirs.data()),
                  "cannot read " + path + " of '" + shards[s].path + "'");
      for (std::size_t r = first; r < first + rows; ++r)
        if (source[r] == static_cast<int>(s))
          std::memcpy(merged.data() + (r - first) * row_bytes,
                      theirs.data() + (r - first) * row_bytes, row_bytes);
    }
    h5::checked(H5Dwrite(target.get(), type.get(), memory.get(), rows_here.get(), H5P_DEFAULT,
                         merged.data()),
                "cannot write " + path + " of '" + output_path + "'");
  }
}

herr_t collect_name(hid_t, const char* name, const H5L_info_t*, void* names) {
  static_cast<std::vector<std::string>*>(names)->emplace_back(name);
  return 0;
}

// The names of the links in group `path` (none when it is missing).
std::vector<std::string> members(hid_t file, const std::string& path) {
  std::vector<std::string> names;
  if (!h5::link_exists(file, path)) return names;
  const h5::Group group(
      h5::checked(H5Gopen2(file, path.c_str(), H5P_DEFAULT), "cannot open " + path));
  hsize_t index = 0;
  h5::checked(H5Literate(group.get(), H5_INDEX_NAME, H5_ITER_NATIVE, &index, collect_name, &names),
              "cannot list " + path);
  return names;
}

// Every /run_data group a shard holds (those of its own runs) that the output lacks.
void copy_run_groups(const ShardFile& shard, hid_t output) {
  const std::string parent = "/run_data";
  const auto theirs = members(shard.file.get(), parent);
  if (theirs.empty()) return;
  if (!h5::link_exists(output, parent))
    h5::Group(h5::checked(H5Gcreate2(output, parent.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                          "cannot create " + parent));
  const auto ours = members(output, parent);
  const std::set<std::string> present(ours.begin(), ours.end());
  for (const std::string& name : theirs) {
    if (present.count(name)) continue;
    const std::string path = parent + "/" + name;
    h5::checked(
        H5Ocopy(shard.file.get(), path.c_str(), output, path.c_str(), H5P_DEFAULT, H5P_DEFAULT),
        "cannot copy " + path + " of '" + shard.path + "'");
  }
}

// The merged file is a whole sweep's: its attribute shard becomes empty (NULs, in the
// attribute's own type, read as "").
void clear_shard_attribute(hid_t output, const std::string& output_path) {
  const h5::Attribute attr(
      h5::checked(H5Aopen(output, "shard", H5P_DEFAULT), "cannot open attribute shard"));
  const h5::Datatype type(
      h5::checked(H5Aget_type(attr.get()), "cannot read the type of attribute shard"));
  const std::string nothing(H5Tget_size(type.get()), '\0');
  h5::checked(H5Awrite(attr.get(), type.get(), nothing.data()),
              "cannot write attribute shard of '" + output_path + "'");
}

// Provenance (schema 6): each shard recorded its own builds and sessions, and /runs/session of its
// runs indexes its own list. The merged file lists every shard's sessions in shard order, each
// marked with its shard, shifts each run's index by the sessions listed before its shard's, and
// keeps each build once (by id). It was created when the first shard was, and is complete when
// every run is finished: then at the latest end of a session.
void merge_provenance(hid_t merged, const std::string& output_path,
                      const std::vector<ShardFile>& shards, const std::vector<int>& source) {
  using nlohmann::json;
  const auto list = [&](const ShardFile& shard, const char* name) {
    const json parsed =
        json::parse(h5::string_attribute(shard.file.get(), name).value_or(""), nullptr, false);
    return parsed.is_array() ? parsed : json::array();
  };
  json sessions = json::array(), builds = json::array();
  std::set<std::string> build_ids;
  std::vector<int> offset(shards.size(), 0);
  std::string created, last_end;
  for (std::size_t s = 0; s < shards.size(); ++s) {
    offset[s] = static_cast<int>(sessions.size());
    const json listed = list(shards[s], "sessions");
    for (const json& session : listed) {
      const std::string end = session.value("end", "");
      last_end = std::max(last_end, end);  // UTC ISO 8601 texts sort as times
      sessions.push_back(session);
      sessions.back()["shard"] = shard_text(shards[s].shard);
    }
    for (const json& build : list(shards[s], "builds"))
      if (build_ids.insert(build.value("id", "")).second) builds.push_back(build);
    const std::string here = h5::string_attribute(shards[s].file.get(), "created").value_or("");
    if (!here.empty() && (created.empty() || here < created)) created = here;
  }
  const bool complete = std::all_of(source.begin(), source.end(), [](int s) { return s >= 0; });
  h5::replace_string_attribute(merged, "sessions", sessions.dump());
  h5::replace_string_attribute(merged, "builds", builds.dump());
  h5::replace_string_attribute(merged, "created", created);
  h5::replace_string_attribute(merged, "completed", complete ? last_end : "");

  const std::string path(session_column);
  const h5::Dataset dataset(
      h5::checked(H5Dopen2(merged, path.c_str(), H5P_DEFAULT), "cannot open " + path));
  std::vector<int> index(source.size(), -1);
  if (index.empty()) return;
  h5::checked(H5Dread(dataset.get(), H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, index.data()),
              "cannot read " + path + " of '" + output_path + "'");
  for (std::size_t r = 0; r < index.size(); ++r)
    if (source[r] >= 0 && index[r] >= 0) index[r] += offset[static_cast<std::size_t>(source[r])];
  h5::checked(H5Dwrite(dataset.get(), H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, index.data()),
              "cannot write " + path + " of '" + output_path + "'");
}

}  // namespace

MergeReport merge_shards(const std::vector<std::string>& paths, const std::string& output) {
  const h5::QuietErrors quiet;
  if (paths.empty()) throw Error("io", "no shard files to merge");
  std::vector<ShardFile> shards;
  for (const std::string& path : paths) shards.push_back(open_shard(path));
  std::sort(shards.begin(), shards.end(),
            [](const ShardFile& a, const ShardFile& b) { return a.shard.index < b.shard.index; });
  for (std::size_t s = 0; s < shards.size(); ++s) {
    require_same_sweep(shards.front(), shards[s]);
    if (s > 0 && shards[s].shard.index == shards[s - 1].shard.index)
      throw Error("io", "'" + shards[s - 1].path + "' and '" + shards[s].path +
                            "' are both shard " + shard_text(shards[s].shard) +
                            "; give each shard once");
  }
  // Which shard each row comes from: the one that wrote it (a row can be in one only).
  const std::size_t runs = shards.front().status.size();
  std::vector<int> source(runs, -1);
  for (std::size_t s = 0; s < shards.size(); ++s)
    for (std::size_t r = 0; r < runs; ++r) {
      if (!written(shards[s].status[r])) continue;
      if (source[r] >= 0)
        throw Error("io", "run " + std::to_string(r) + " is written in both '" +
                              shards[static_cast<std::size_t>(source[r])].path + "' and '" +
                              shards[s].path + "'; these are not shards of one sweep");
      source[r] = static_cast<int>(s);
    }

  // The first shard, copied whole, is the merged file's frame: identity columns, attributes, fill
  // values of the rows nobody ran. The other shards' rows are copied into it.
  std::error_code error;
  std::filesystem::copy_file(shards.front().path, output,
                             std::filesystem::copy_options::overwrite_existing, error);
  if (error)
    throw Error(
        "io", "cannot copy '" + shards.front().path + "' to '" + output + "': " + error.message());
  std::vector<int> copied = source;
  for (int& from : copied)
    if (from == 0) from = -1;  // already in the frame
  {
    const h5::PropertyList fapl(
        h5::checked(H5Pcreate(H5P_FILE_ACCESS), "cannot create a file access list"));
    h5::lock_best_effort(fapl.get());
    // New objects (copied run groups) keep the checksummed 1.10 format the sweep writes.
    h5::checked(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110),
                "cannot select the checksummed file format");
    h5::File merged(h5::checked(H5Fopen(output.c_str(), H5F_ACC_RDWR, fapl.get()),
                                "cannot open '" + output + "' for writing"));
    const int version = shards.front().version;
    for (const Column& column : results_columns())
      if (column.since_version <= version)
        copy_column(std::string(column.path), merged.get(), output, shards, copied);
    for (std::size_t s = 1; s < shards.size(); ++s) copy_run_groups(shards[s], merged.get());
    if (version >= operations_since_version) merge_provenance(merged.get(), output, shards, source);
    clear_shard_attribute(merged.get(), output);
    merged.close("cannot close '" + output + "'");
  }

  MergeReport report;
  report.shard_count = shards.front().shard.count;
  for (const ShardFile& s : shards) report.merged.push_back(s.shard);
  for (int i = 1; i <= report.shard_count; ++i)
    if (std::none_of(shards.begin(), shards.end(),
                     [&](const ShardFile& s) { return s.shard.index == i; }))
      report.missing.push_back(i);
  report.runs = static_cast<index_t>(runs);
  for (std::size_t r = 0; r < runs; ++r) {
    const auto status =
        source[r] < 0 ? std::optional<RunStatus>(RunStatus::pending)
                      : run_status_from_code(shards[static_cast<std::size_t>(source[r])].status[r]);
    report.done += status == RunStatus::done;
    report.failed += status == RunStatus::failed;
    report.pending += status != RunStatus::done && status != RunStatus::failed;
  }
  return report;
}

}  // namespace ricci::io
