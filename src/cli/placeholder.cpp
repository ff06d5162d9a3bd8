// The cli component.
namespace rt::cli {}
