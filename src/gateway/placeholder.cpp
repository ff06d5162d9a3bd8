// The gateway component.
namespace rt::gateway {}
