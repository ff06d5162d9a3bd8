// The bridge component.
namespace rt::bridge {}
