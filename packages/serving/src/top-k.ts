// The bounded heap and `topK` live in `@mmrecall/kernels` with the other shared kernels; serving
// re-exports them so its public `topK` stays where users import it.
export { TopKCollector, type TopKOptions, type TopKResult, topK } from '@mmrecall/kernels';
