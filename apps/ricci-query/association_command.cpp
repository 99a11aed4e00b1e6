// ricci-query association FILE.h5 [--format table|csv|json]: the paper's Table S2. OLS of test
// accuracy on z at k* with problem, architecture and depth dummies over the accepted runs; Spearman
// rho-accuracy.
#include "query.hpp"
#include "ricci/analysis/summary.hpp"
#include "subcommand.hpp"

namespace ricci::query {

int association_command(const std::vector<std::string>& args, std::ostream& out) {
  SubcommandOptions options("ricci-query association FILE.h5 options");
  if (!options.parse(args, out)) return exit_ok;
  const io::ResultsTable t = io::read_results_table(options.path);
  const analysis::Association a = analysis::associate(t, analysis::summarize(t));

  Table terms{{"term", "coefficient", "std_error", "t", "p"}, {}};
  for (const auto& term : a.fit.terms)
    terms.rows.push_back({term.name, term.coefficient, term.std_error, term.t, term.p});

  switch (options.format) {
    case Format::json: {
      Json list = Json::array();
      for (const auto& term : a.fit.terms)
        list.push_back({{"name", term.name},
                        {"coefficient", number_or_null(term.coefficient)},
                        {"std_error", number_or_null(term.std_error)},
                        {"t", number_or_null(term.t)},
                        {"p", number_or_null(term.p)}});
      out << Json{{"file", t.path},
                  {"graph", t.graph},
                  {"excluded_by", exclusion_rule(t)},
                  {"model", "test_accuracy ~ 1 + z(k*) + problem + architecture + depth"},
                  {"n", a.fit.n},
                  {"parameters", a.fit.parameters},
                  {"r_squared", number_or_null(a.fit.r_squared)},
                  {"z",
                   {{"coefficient", number_or_null(a.z.coefficient)},
                    {"std_error", number_or_null(a.z.std_error)},
                    {"t", number_or_null(a.z.t)},
                    {"p", number_or_null(a.z.p)},
                    {"n", a.fit.n}}},
                  {"terms", list},
                  {"spearman",
                   {{"rho", number_or_null(a.spearman.rho)},
                    {"p", number_or_null(a.spearman.p)},
                    {"n", a.spearman.n}}}}
                 .dump()
          << "\n";
      break;
    }
    case Format::csv:
      print_csv(out, terms);
      break;
    case Format::table:
      out << t.path << ": test_accuracy ~ 1 + z(k*) + problem + architecture + depth, OLS over "
          << a.fit.n << " accepted runs (R^2 = " << round_trip(a.fit.r_squared) << "; graph "
          << t.graph << ", runs excluded when " << exclusion_rule(t) << ")\n";
      print_text_table(out, terms);
      out << "\nz at k*: coefficient " << a.z.coefficient << ", std. error " << a.z.std_error
          << ", t = " << a.z.t << ", p = " << a.z.p << ", n = " << a.fit.n
          << "   (paper Table S2: t = -2.27, p = 0.023, n = 1,227)\n"
          << "Spearman(rho at k*, test accuracy) = " << a.spearman.rho << ", p = " << a.spearman.p
          << ", n = " << a.spearman.n << "\n";
      break;
  }
  return exit_ok;
}

}  // namespace ricci::query
