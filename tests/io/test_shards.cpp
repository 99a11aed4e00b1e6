// io::parse_shard and io::shard_text: the text of ricci-sweep --shard and of the attribute 'shard'.
#include <catch2/catch.hpp>

#include "ricci/io/shards.hpp"

using namespace ricci;

TEST_CASE("shards: i/n with whole numbers 1 <= i <= n, and nothing else", "[io][shards]") {
  CHECK(io::parse_shard("2/4") == io::Shard{2, 4});
  CHECK(io::parse_shard("1/1") == io::Shard{1, 1});
  CHECK(io::parse_shard("4/4") == io::Shard{4, 4});
  CHECK(io::shard_text(io::Shard{3, 12}) == "3/12");
  for (const char* bad : {"0/3", "4/3", "1/0", "-1/3", "+1/3", "1/-3", "a/b", "3", "/3", "1/", "",
                          " 1/3", "1/3 ", "1/3/4", "1.0/3", "99999999999/99999999999"})
    CHECK_FALSE(io::parse_shard(bad).has_value());
}
