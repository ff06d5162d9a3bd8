// The http component's sources land here.
namespace rt::http {}
