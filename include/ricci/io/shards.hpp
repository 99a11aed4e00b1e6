#pragma once
// Sharded sweeps (schema 6): a job array's task i of n runs shard i/n of the plan into its own
// results file, which holds every run's row (identity columns for all, results only for its own
// runs; the other shards' runs stay pending and their /run_data groups are left out). The root
// attribute 'shard' names it ("2/4"; empty for a whole sweep). merge_shards makes the shard
// files one results file of the whole sweep, row by row the same as an unsharded sweep of the job.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ricci/core/types.hpp"

namespace ricci::io {

struct Shard {
  int index = 1;  // 1-based, at most count
  int count = 1;
  bool operator==(const Shard&) const = default;
};
// "2/4": the text of the root attribute 'shard' and of ricci-sweep --shard.
std::string shard_text(const Shard& shard);
// The shard "i/n" names (decimal, 1 <= i <= n); nullopt for anything else.
std::optional<Shard> parse_shard(std::string_view text);

struct MergeReport {
  int shard_count = 0;                                  // n, as the shards name it
  std::vector<Shard> merged;                            // the shards given, in index order
  std::vector<int> missing;                             // indices of the shards not given
  index_t runs = 0, done = 0, failed = 0, pending = 0;  // of the merged file
};

// Writes `output` (created or truncated: the caller decides whether it may be replaced, and
// renames a temporary name into place) as the merge of the shard files `shards`: every done or
// failed row of every shard, with its per-run groups; the other runs stay pending, so --resume of
// `output` with the job (no --shard) finishes it. Every column the registry lists for the files'
// version is copied, in blocks of rows, byte for byte. Throws ricci::Error("io", ...) naming the
// file when one is not a results file, not a shard, of another job, data or schema version, when
// two name the same shard or different shard counts, or when two hold the same run.
MergeReport merge_shards(const std::vector<std::string>& shards, const std::string& output);

}  // namespace ricci::io
