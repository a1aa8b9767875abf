import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

/** For the TypeORM CLI (`typeorm -d dist/data-source.js migration:show`). */
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://localhost/keywarden'));
