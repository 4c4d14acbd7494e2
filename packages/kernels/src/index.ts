export { type InnerProductsOptions, innerProducts } from './inner-products';
export { type TopKOptions, type TopKResult, topK } from './top-k';
export { TopKCollector } from './top-k-collector';
