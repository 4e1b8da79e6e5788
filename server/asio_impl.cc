// The one translation unit that compiles Boost.Asio and Boost.Beast
// (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION are set
// for strata_server), so their implementation is built once, not per file.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
