// The one translation unit that compiles Boost.Asio (with its SSL part) and
// Boost.Beast: BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION
// are set PUBLIC on strata_net, the lowest module using them, so every
// target linking it (server/, tests, bench/) shares one compiled copy.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
